// The API's error codes (a call's envelope, a target's publishing error) in words a person who
// never read the API guide understands: what happened, and what to do about it. A code not
// listed here falls back to the message Herald sent, which is already a sentence.

export interface PlainError {
  what: string; // one sentence: what happened
  todo?: string; // what to do about it
}

const PLAIN: Record<string, PlainError> = {
  // Publishing (a target's error)
  rate_limited: {
    what: "The network asked Herald to slow down: too many posts or calls in a short time.",
    todo: "Nothing to do: Herald tries again by itself once the network allows it.",
  },
  quota_exceeded: {
    what: "The account used up what the network allows it to post for now (a daily quota).",
    todo: "Wait for the quota to reset (usually the next day), then retry.",
  },
  token_expired: {
    what: "The network's sign-in for this account had expired.",
    todo: "Herald refreshes it by itself; if this stays, reconnect the account on the Accounts page.",
  },
  auth_expired: {
    what: "The network's sign-in for this account had expired.",
    todo: "Reconnect the account on the Accounts page, then retry.",
  },
  account_disconnected: {
    what: "The network no longer accepts this account's connection (access revoked or expired).",
    todo: "Reconnect the account on the Accounts page, then retry the post.",
  },
  account_not_found: {
    what: "The account this post was meant for was removed from Herald.",
    todo: "Connect the account again, or edit the post to use another one.",
  },
  account_restricted: {
    what: "The network has restricted this account, so it cannot post right now.",
    todo: "Check the account in the network's own app, then retry.",
  },
  authorization_failed: {
    what: "The network refused this account's permission to post.",
    todo: "Reconnect the account and accept every permission asked, then retry.",
  },
  forbidden: {
    what: "The network does not allow this account to do that.",
    todo: "Check the account's permissions on the network (and reconnect it), then retry.",
  },
  invalid_credentials: {
    what: "The credentials saved for this account were refused.",
    todo: "Reconnect the account with fresh credentials.",
  },
  app_not_configured: {
    what: "This deployment has no app set up for that network yet.",
    todo: "Ask whoever runs Herald to add the network's app credentials.",
  },
  invalid_content: {
    what: "The network refused the post's content (too long, a missing title, or another rule).",
    todo: "Edit the post so it fits the network's rules, then retry.",
  },
  content_rejected: {
    what: "The network rejected the post's content.",
    todo: "Change the text or media, then retry.",
  },
  content_blocked: {
    what: "The network blocked the post as against its rules (spam or policy).",
    todo: "Change the post's content; if it keeps happening, check the account on the network.",
  },
  duplicate_content: {
    what: "The network refused the post because the account already posted the same thing.",
    todo: "Change the text a little, then retry.",
  },
  mentions_not_permitted: {
    what: "The network does not let this account mention those people.",
    todo: "Remove the mentions for this network, then retry.",
  },
  media_unsupported: {
    what: "A picture or video is not in a form this network accepts (size, format or shape).",
    todo: "Replace or resize the media (the media's compatibility report says how), then retry.",
  },
  media_too_large: {
    what: "A picture or video is bigger than the network accepts.",
    todo: "Upload a smaller file, then retry.",
  },
  media_not_found: {
    what: "A picture or video of the post was deleted before it could be sent.",
    todo: "Upload the media again and edit the post, then retry.",
  },
  media_unreachable: {
    what: "Herald could not download a picture or video from its web address.",
    todo: "Check that the link opens in a browser; Herald tries again by itself.",
  },
  media_url_invalid: {
    what: "A media web address is not valid (it must be a plain https link).",
    todo: "Fix the link in the post, then retry.",
  },
  media_url_forbidden: {
    what: "A media web address points to a private or internal address Herald will not fetch.",
    todo: "Use a public https link instead.",
  },
  media_type_mismatch: {
    what: "A media link does not hold the kind of file its name says (e.g. not really an image).",
    todo: "Fix the link, or mark the post as a video if it is one.",
  },
  media_processing: {
    what: "The network is still processing the video.",
    todo: "Nothing to do: Herald checks again by itself.",
  },
  media_processing_failed: {
    what: "The network could not process the video.",
    todo: "Try another file (a common format such as MP4 with H.264), then retry.",
  },
  media_upload_failed: {
    what: "Uploading the media to the network failed.",
    todo: "Retry; if it keeps failing, try a smaller file.",
  },
  upload_interrupted: {
    what: "Uploading the media to the network was interrupted.",
    todo: "Retry the post.",
  },
  upload_incomplete: {
    what: "The network did not receive the whole media file.",
    todo: "Retry the post.",
  },
  upload_session_expired: {
    what: "The network's upload window closed before the media was sent.",
    todo: "Retry the post.",
  },
  platform_unavailable: {
    what: "The network was down or answered with an error on its side.",
    todo: "Nothing to do: Herald tries again by itself.",
  },
  platform_error: {
    what: "The network answered with an error Herald does not recognise.",
    todo: "Retry; if it keeps happening, look at the technical details below.",
  },
  timeout: {
    what: "The network took too long to answer.",
    todo: "Nothing to do: Herald checks whether the post went out before trying again.",
  },
  network_error: {
    what: "Herald could not reach the network.",
    todo: "Nothing to do: Herald tries again by itself.",
  },
  malformed_response: {
    what: "The network gave an answer Herald could not read.",
    todo: "Herald checks whether the post went out before trying again.",
  },
  outcome_unknown: {
    what: "Herald cannot tell whether the network published this post.",
    todo: "Check the account on the network: if the post is not there, retry it.",
  },
  not_supported: {
    what: "This network does not allow that through its API.",
    todo: "Do it in the network's own app.",
  },
  not_found: {
    what: "The network could not find something the post refers to (the post replied to, a board, a page).",
    todo: "Check the post's settings for this network, then retry.",
  },
  comments_disabled: {
    what: "Comments are turned off on the post, so the first comment could not be added.",
    todo: "Add the comment by hand in the network's app if you still want it.",
  },
  delete_refused: {
    what: "The network refused to delete the post.",
    todo: "Delete it in the network's own app.",
  },
  youtube_channel_required: {
    what: "The Google account has no YouTube channel to post to.",
    todo: "Create a YouTube channel for the account, then reconnect it.",
  },
  // Calls to the API (an ApiError's code)
  unauthenticated: {
    what: "Your API key was not accepted (revoked, or mistyped).",
    todo: "Sign in again with a valid key.",
  },
  invalid_state: {
    what: "The post is no longer in a state that allows this (someone or something changed it meanwhile).",
    todo: "Reload the page to see where it stands.",
  },
  concurrent_modification: {
    what: "Someone else changed this post at the same moment.",
    todo: "Reload the page and try again.",
  },
  post_not_found: {
    what: "This post does not exist, or belongs to another profile.",
    todo: "Go back to the calendar and pick it from there.",
  },
  schedule_unavailable: {
    what: "Herald could not set the schedule right now; nothing was changed.",
    todo: "Try again in a moment.",
  },
  store_unavailable: {
    what: "Herald is busy right now; nothing was changed.",
    todo: "Try again in a moment.",
  },
  internal_error: {
    what: "Something went wrong inside Herald.",
    todo: "Try again; if it keeps happening, tell whoever runs Herald.",
  },
};

/** What the code means in plain words; an unknown code keeps Herald's own message. */
export function plainError(code: string | null | undefined, message?: string | null): PlainError {
  const known = code ? PLAIN[code] : undefined;
  if (known) return known;
  return { what: message?.trim() || "Something went wrong." };
}

// Codes whose message from Herald already names the rule, field or state: kept as they are.
const OWN_MESSAGE = new Set([
  "validation_error", "invalid_request", "invalid_content", "media_unsupported", "invalid_state", "rate_limited",
]);

/** For an API call refused (the envelope's code and message), one line to show after an action. */
export function plainApiError(error: { code?: string; message: string; status?: number }): string {
  if (error.status === 403 || error.code === "forbidden") return "Your key's role does not allow this.";
  const known = error.code && !OWN_MESSAGE.has(error.code) ? PLAIN[error.code] : undefined;
  if (!known) return error.message;
  return known.todo ? `${known.what} ${known.todo}` : known.what;
}
