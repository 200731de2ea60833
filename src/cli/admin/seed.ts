export async function runSeed(_flags: unknown): Promise<void> {}
