// Media upload: ask Herald for a presigned S3 form, send the file with it (XHR, for progress),
// then read the media until Herald has inspected it.
import { ApiError, api } from "../api/client";
import type { Media, MediaUpload } from "../api/types";

const TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  mp4: "video/mp4",
  mov: "video/quicktime",
  m4v: "video/mp4",
  webm: "video/webm",
};

export function contentTypeOf(file: { name: string; type: string }): string {
  if (file.type) return file.type;
  const extension = file.name.split(".").pop()?.toLowerCase() ?? "";
  return TYPES[extension] ?? "application/octet-stream";
}

/** S3 answers an error as XML: its <Message>, or a sentence for the status. */
export function s3Problem(status: number, body: string): string {
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  if (code === "EntityTooLarge") return "The file is larger than this deployment accepts.";
  if (message) return `The upload was refused: ${message}`;
  return status ? `The upload was refused (${status}).` : "The upload could not reach the storage. Check your connection.";
}

export function requestUpload(file: File): Promise<MediaUpload> {
  return api.post<MediaUpload>("/v1/media", { filename: file.name, content_type: contentTypeOf(file), size: file.size });
}

/** The presigned POST: every field first, the file last, as multipart/form-data. */
export function sendFile(
  upload: MediaUpload["upload"],
  file: File,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append("file", file);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(upload.method ?? "POST", upload.url);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(new Error(s3Problem(xhr.status, xhr.responseText)));
    };
    xhr.onerror = () => reject(new Error(s3Problem(0, "")));
    xhr.onabort = () => reject(new DOMException("Aborted", "AbortError"));
    signal.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const id = window.setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        window.clearTimeout(id);
        reject(new DOMException("Aborted", "AbortError"));
      },
      { once: true },
    );
  });
}

/** Reads the media until it is ready or rejected (about two minutes at most). */
export async function untilInspected(id: string, signal: AbortSignal, onUpdate: (media: Media) => void): Promise<Media> {
  let wait = 500;
  for (let round = 0; round < 90; round++) {
    const media = await api.get<Media>(`/v1/media/${encodeURIComponent(id)}`, undefined, signal);
    onUpdate(media);
    if (media.status !== "pending_upload") return media;
    await pause(wait, signal);
    wait = Math.min(wait * 1.5, 2000);
  }
  throw new ApiError(0, "media_timeout", "Herald has not finished inspecting this file yet. Try again in a moment.");
}
