// A counter per network: "n / limit" in that network's unit. The API's measured length wins when
// a current validation answer gives one; otherwise the text is counted here (limits.ts).
import type { ContentProblem, TargetPreview } from "../api/types";
import { count } from "./counting";
import { limitsFor, textLimit, type TextLimit } from "./limits";

export interface Counter {
  network: string;
  field: "text" | "title";
  count: number;
  limit: number;
  unit: string;
  over: boolean;
}

/** "X counts this text as 291 of 280 weighted characters" -> "weighted characters". */
export function unitOf(message: string): string | undefined {
  return /\bof [\d,.]+ ([a-z][a-z -]*?)\.?$/i.exec(message.trim())?.[1];
}

function measuredBy(problems: ContentProblem[], network: string, field: string): ContentProblem | undefined {
  return problems.find(
    (p) => p.network === network && p.field === field && p.limit != null && p.measured != null,
  );
}

function counter(
  network: string,
  field: "text" | "title",
  text: string,
  limit: TextLimit,
  problems: ContentProblem[],
): Counter {
  const measured = measuredBy(problems, network, field);
  if (measured) {
    const value = measured.measured as number;
    const cap = measured.limit as number;
    return { network, field, count: value, limit: cap, unit: unitOf(measured.message) ?? limit.unit, over: value > cap };
  }
  const value = count(text, limit.method);
  return { network, field, count: value, limit: limit.limit, unit: limit.unit, over: value > limit.limit };
}

/** The text as `network` would receive it: the first step of its preview, when there is one. */
export function previewText(previews: TargetPreview[] | undefined, network: string): string | undefined {
  return previews?.find((p) => p.network === network)?.steps.find((s) => s.kind === "post")?.text;
}

export interface CounterInput {
  network: string;
  text: string; // as typed: the network's version, else the post's text
  title?: string;
  hasMedia: boolean;
  problems?: ContentProblem[]; // from a validation of the current content only
  previews?: TargetPreview[]; // idem
}

export function textCounter(input: CounterInput): Counter {
  const text = previewText(input.previews, input.network) ?? input.text;
  return counter(input.network, "text", text, textLimit(input.network, input.hasMedia), input.problems ?? []);
}

export function titleCounter(input: CounterInput): Counter | undefined {
  const limit = limitsFor(input.network).title;
  if (!limit) return undefined;
  return counter(input.network, "title", input.title ?? "", limit, input.problems ?? []);
}

export function describe(c: Counter): string {
  return `${c.count.toLocaleString("en")} / ${c.limit.toLocaleString("en")}`;
}
