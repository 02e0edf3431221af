// A post's text as a person reads it: the rich-text tags the API accepts (<b>, <p>, <br>…) turned
// into plain text, for excerpts and the detail page (rendered as text, never as HTML).

const ENTITIES: Record<string, string> = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#39;": "'" };

export function plainText(text: string | null | undefined): string {
  if (!text) return "";
  return text
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/p>\s*<p>/gi, "\n\n")
    .replace(/<\/?[a-z][^>]*>/gi, "")
    .replace(/&(lt|gt|amp|quot|#39);/g, (entity) => ENTITIES[entity]);
}

/** The first `length` characters of a post, on one line, with an ellipsis when cut. */
export function excerpt(text: string | null | undefined, length = 40): string {
  const flat = plainText(text).replace(/\s+/g, " ").trim();
  const chars = Array.from(flat); // an emoji is one character, not two halves
  return chars.length > length ? `${chars.slice(0, length - 1).join("").trimEnd()}…` : flat;
}
