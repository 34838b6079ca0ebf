/**
 * Boot one kernel-check guest under QEMU and collect its serial console: `qemu-system-x86_64
 * -nographic -no-reboot`, TCG (or KVM when asked and working), one CPU, the page file and a swap
 * disk on virtio, told apart in the guest by their serial numbers.
 *
 * @module
 */
import { KernelCheckError } from "./errors.ts";

/** QEMU accelerator: TCG (emulation, works everywhere) or KVM (needs a working /dev/kvm). */
export type Accel = "tcg" | "kvm";

/** A virtio disk given to the guest. */
export interface QemuDrive {
  /** Raw image file on the host. */
  file: string;
  /** Serial number the guest finds it by (`/sys/block/vdX/serial`). */
  serial: string;
  /** Attach read-only. */
  readonly: boolean;
}

/** One QEMU boot. */
export interface QemuRunOptions {
  /** qemu-system-x86_64. */
  qemu: string;
  /** bzImage. */
  kernel: string;
  /** Initramfs (cpio). */
  initrd: string;
  /** Kernel command line. */
  append: string;
  /** virtio disks. */
  drives: readonly QemuDrive[];
  /** Guest RAM in MiB. */
  memoryMb: number;
  /** Accelerator. */
  accel: Accel;
  /** Kill QEMU after this many milliseconds. */
  timeoutMs: number;
}

/** What one boot gave. */
export interface QemuRunResult {
  /** Everything QEMU wrote to stdout and stderr (the serial console and QEMU's own messages). */
  console: string;
  /** What QEMU wrote to stderr alone (its own errors). */
  stderr: string;
  /** QEMU's exit code. */
  code: number;
  /** Wall time of the boot, milliseconds. */
  wallMs: number;
}

/**
 * QEMU's arguments for a run.
 *
 * @param o The run.
 * @returns The argument list (without the executable).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { qemuArgs } from "./qemu.ts";
 * const args = qemuArgs({ qemu: "qemu-system-x86_64", kernel: "vmlinuz", initrd: "i.cpio",
 *   append: "console=ttyS0", drives: [], memoryMb: 512, accel: "tcg", timeoutMs: 1000 });
 * assert.ok(args.includes("-no-reboot"));
 * ```
 */
export function qemuArgs(o: QemuRunOptions): string[] {
  const args = [
    "-accel",
    o.accel,
    // TCG: the oracle's `-cpu max`; KVM: the host's CPU (`max` asks for MSRs nested KVM may refuse).
    "-cpu",
    o.accel === "kvm" ? "host" : "max",
    "-m",
    `${o.memoryMb}M`,
    "-smp",
    "1",
    "-nodefaults",
    "-nographic",
    "-serial",
    "stdio",
    "-no-reboot",
    "-kernel",
    o.kernel,
    "-initrd",
    o.initrd,
    "-append",
    o.append,
  ];
  o.drives.forEach((d, i) => {
    const id = `zsb${i}`;
    args.push(
      "-drive",
      `file=${d.file.replaceAll(",", ",,")},if=none,id=${id},format=raw${
        d.readonly ? ",readonly=on" : ""
      }`,
      "-device",
      `virtio-blk-pci,drive=${id},serial=${d.serial}`,
    );
  });
  return args;
}

/**
 * Boot QEMU and wait for it to power off (the guest calls `poweroff -f`; a panic reboots, which
 * `-no-reboot` turns into an exit).
 *
 * @param o The run.
 * @returns The console output, exit code and wall time.
 * @throws {KernelCheckError} `qemu` when QEMU cannot start, `timeout` when it ran too long (killed).
 */
export async function runQemu(o: QemuRunOptions): Promise<QemuRunResult> {
  const t0 = performance.now();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(o.qemu, {
      args: qemuArgs(o),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    throw new KernelCheckError("qemu", `Cannot start ${o.qemu}: ${(e as Error).message}`, "", {
      cause: e,
    });
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, o.timeoutMs);
  const out = await child.output();
  clearTimeout(timer);
  const wallMs = performance.now() - t0;
  const dec = new TextDecoder();
  const stderr = dec.decode(out.stderr);
  const text = dec.decode(out.stdout) + stderr;
  if (timedOut) {
    throw new KernelCheckError(
      "timeout",
      `QEMU did not finish within ${
        Math.round(o.timeoutMs / 1000)
      } s (killed; give --timeout to wait longer)`,
      text.split("\n").slice(-40).join("\n"),
    );
  }
  return { console: text, stderr, code: out.code, wallMs };
}
