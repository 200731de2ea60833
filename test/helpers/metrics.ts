/**
 * The value of one sample of a Prometheus text exposition, or undefined when absent.
 * `labels` is written as exposed, e.g. `state="waiting"` or `job="outbox",kind="x"`.
 */
export function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

/** Fetches `/metrics` of `baseUrl` and returns its text (throws on a non-200). */
export async function scrape(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (res.status !== 200) throw new Error(`GET ${baseUrl}/metrics: ${res.status}`);
  return res.text();
}

/** The `evbook_queue_jobs` samples of a scrape, by state. */
export function queueJobs(text: string): Record<string, number | undefined> {
  const states = ['waiting', 'active', 'delayed', 'failed'];
  return Object.fromEntries(
    states.map((state) => [state, sample(text, 'evbook_queue_jobs', `state="${state}"`)]),
  );
}
