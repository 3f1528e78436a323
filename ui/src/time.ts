// Times as people read them: the backend sends RFC 3339 text; the UI shows the local date and
// time, and "how long ago" where that is what matters (tooltips on revisions).

/** RFC 3339 text as a short local date and time; the text as it is when it does not parse. */
export function readableTime(text: string | null | undefined): string {
  if (!text) return "";
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return text;
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** How long before `now` a time was, in the largest unit that fits ("just now", "5 minutes ago", "3 days ago"). */
export function timeAgo(text: string, now: Date = new Date()): string {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return "";
  const s = Math.round((now.getTime() - d.getTime()) / 1000);
  if (s < 45) return s < -45 ? "in the future" : "just now";
  const units: [number, string][] = [[60, "minute"], [3600, "hour"], [86400, "day"], [86400 * 30, "month"], [86400 * 365, "year"]];
  let [size, name] = units[0];
  for (const u of units) if (s >= u[0]) [size, name] = u;
  const n = Math.round(s / size);
  return `${n} ${name}${n === 1 ? "" : "s"} ago`;
}

/** "7 Dec 2026, 14:08 (2 hours ago)". */
export function readableTimeAgo(text: string, now: Date = new Date()): string {
  const ago = timeAgo(text, now);
  return ago ? `${readableTime(text)} (${ago})` : readableTime(text);
}
