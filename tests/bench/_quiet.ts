/** Runs `fn` with console.log and console.error captured; returns its value and what they printed. */
export async function quiet<T>(fn: () => Promise<T>): Promise<{ value: T; printed: string }> {
  const log = console.log;
  const error = console.error;
  let printed = "";
  console.log = (...a: unknown[]) => void (printed += a.join(" ") + "\n");
  console.error = console.log;
  try {
    return { value: await fn(), printed };
  } finally {
    console.log = log;
    console.error = error;
  }
}
