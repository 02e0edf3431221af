// The optimal-times answer in words and as a weekday × hour grid (Monday first, the profile's zone).
import type { OptimalTimes, Slot } from "../api/types";

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
export const WEEKDAYS_SHORT = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
export const HOURS = Array.from({ length: 24 }, (_, hour) => String(hour).padStart(2, "0"));

/** Scores as a [weekday][hour] grid; NaN where the answer has no slot. */
export function slotGrid(slots: Pick<Slot, "weekday" | "hour" | "score">[]): number[][] {
  const grid = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => Number.NaN));
  for (const slot of slots) {
    if (slot.weekday >= 0 && slot.weekday < 7 && slot.hour >= 0 && slot.hour < 24) grid[slot.weekday][slot.hour] = slot.score;
  }
  return grid;
}

/** "Tuesday 09:00–10:00" */
export function slotLabel(weekday: number, hour: number): string {
  const end = String((hour + 1) % 24).padStart(2, "0");
  return `${WEEKDAYS[weekday] ?? `Day ${weekday}`} ${HOURS[hour]}:00–${end}:00`;
}

/** 0–1 score as "62 of 100" (0.5 is the profile's median post). */
export function scoreWords(score: number): string {
  return `${Math.round(score * 100)} of 100`;
}

export function sourceWords(slot: Pick<Slot, "source" | "posts" | "nearby_posts">): string {
  const own = slot.posts + slot.nearby_posts;
  if (slot.source === "prior") return "from published research only";
  const posts = `${own} of your posts`;
  return slot.source === "history" ? `from ${posts}` : `${posts} and research`;
}

export function slotWords(slot: Slot): string {
  return `${slotLabel(slot.weekday, slot.hour)}: score ${scoreWords(slot.score)}, ${sourceWords(slot)}; ${Math.round(
    slot.confidence * 100,
  )}% from your own history.`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** One sentence on what the times rest on. */
export function basisSentence(answer: Pick<OptimalTimes, "basis" | "prior" | "timezone">): string {
  const { basis, prior } = answer;
  const research = `${prior.publisher}'s “${prior.title}” (${prior.year})`;
  const zone = `Hours are in ${answer.timezone}.`;
  if (basis.level === "none" || basis.posts === 0) {
    return `None of your published posts has metrics yet, so these times come from ${research}. ${zone}`;
  }
  const posts = `${plural(basis.posts, "published post")} with metrics`;
  if (basis.level === "thin") {
    return `Based on ${posts} (${plural(basis.slots_with_posts, "hour")} of the week with a post), leaning on ${research} where your history is thin. ${zone}`;
  }
  return `Based on ${posts}; ${plural(basis.slots_from_history, "hour")} of the week are scored mainly from your own history, the rest blended with ${research}. ${zone}`;
}
