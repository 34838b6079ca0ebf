/**
 * Why a test that boots a real kernel cannot run here: shared by kernel_check_test.ts and
 * kernel_trace_check_test.ts, which report it in the test name and skip.
 */
import { cachedDebianKernel } from "../../kernel/debian_kernel.ts";
import { defaultCacheDir } from "../../kernel/check.ts";
import { type GuestProgram, pagefeedPath } from "../../kernel/guest.ts";
import { findHostTools, missingTools } from "../../kernel/preflight.ts";

/** Whether `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why the boot test cannot run here, or undefined when it can: ZSWAPBENCH_SKIP_KERNEL_CHECK=1, a
 * missing oracle page file, guest programs not built in the cache, or host tools not installed.
 */
export async function kernelSkipReason(
  programs: readonly GuestProgram[],
  options: { pageFile?: string } = {},
): Promise<string | undefined> {
  if (Deno.env.get("ZSWAPBENCH_SKIP_KERNEL_CHECK") === "1") {
    return "ZSWAPBENCH_SKIP_KERNEL_CHECK=1";
  }
  const { pageFile } = options;
  if (pageFile !== undefined && !(await exists(pageFile))) {
    return `no oracle page file at ${pageFile}`;
  }
  const cache = defaultCacheDir();
  let unbuilt = false;
  for (const program of programs) {
    if (!(await exists(await pagefeedPath(cache, program)))) {
      unbuilt = true;
      break;
    }
  }
  const missing = missingTools(findHostTools(), {
    compiler: unbuilt,
    apt: !(await cachedDebianKernel(cache)),
  });
  if (missing.length > 0) {
    return `${
      missing.map(([what]) => what).join(", ")
    } not installed; run scripts/install_kernel_check_deps.sh`;
  }
  return undefined;
}
