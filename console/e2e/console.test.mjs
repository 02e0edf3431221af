// The console against a real local cloud: sign in, compose and schedule a post to two networks,
// find it on the calendar, watch it turn published, open its analytics chart. Screenshots of
// each step are kept in HERALD_ARTIFACTS.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { api, BASE_URL, launch, newPage, shot, signIn, unlabelledControls, ADMIN_KEY } from "./browser.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The next whole minute at least `lead` seconds away, as the composer's date and time in UTC. */
function slotAfter(leadSeconds) {
  const at = new Date(Date.now() + leadSeconds * 1000);
  at.setUTCSeconds(0, 0);
  at.setUTCMinutes(at.getUTCMinutes() + 1);
  const iso = at.toISOString();
  return { at, date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

test("sign in, schedule a post to two networks, see it on the calendar, watch it publish, read its analytics", async () => {
  const suffix = Date.now().toString(36);
  const accounts = [
    await api("POST", "/v1/accounts", { body: { platform: "x", name: "Console X", username: `console_x_${suffix}` } }),
    await api("POST", "/v1/accounts", { body: { platform: "bluesky", name: "Console Bluesky", username: `console-bsky-${suffix}` } }),
  ];
  const page = await newPage(browser);

  await page.goto(`${BASE_URL}/`);
  await page.getByLabel("API key").waitFor();
  await shot(page, "01-sign-in");
  await signIn(page, ADMIN_KEY);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Compose" }).click();
  const text = `Launch day from the console ${suffix}`;
  await page.getByTestId("composer-text").fill(text);
  for (const account of accounts) {
    await page.locator(`[data-testid="account-option"][value="${account.id}"]`).check();
  }
  // Both networks' previews come back from /v1/posts/validate with the text.
  for (const platform of ["x", "bluesky"]) {
    await page.locator(`[data-testid="preview"][data-platform="${platform}"]`).getByText(text).waitFor();
  }
  const slot = slotAfter(45);
  await page.getByRole("radio", { name: "Schedule" }).check();
  await page.getByTestId("schedule-timezone").selectOption("UTC");
  await page.getByTestId("schedule-date").fill(slot.date);
  await page.getByTestId("schedule-time").fill(slot.time);
  assert.deepEqual(await unlabelledControls(page), [], "every composer control has a label");
  await shot(page, "02-composer");
  const submit = page.getByTestId("composer-submit");
  assert.equal(await submit.textContent(), "Schedule post");
  await submit.click();

  await page.waitForURL(/#\/posts\/[^/?]+$/);
  const postId = decodeURIComponent(page.url().split("#/posts/")[1]);
  const post = await api("GET", `/v1/posts/${postId}`);
  assert.equal(post.status, "scheduled");
  assert.deepEqual(post.platforms, ["bluesky", "x"]);
  assert.equal(new Date(post.scheduled_at).getTime(), slot.at.getTime());

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Calendar" }).click();
  const chip = page.locator(`[data-testid="calendar-post"][data-post-id="${postId}"]`);
  await chip.waitFor();
  assert.equal(await chip.getAttribute("data-status"), "scheduled");
  const day = await chip.evaluate((el) => el.closest("[data-day]")?.getAttribute("data-day"));
  assert.equal(day, slot.date, "the post sits on its day in the profile's zone");
  await shot(page, "03-calendar-scheduled");

  await chip.getByRole("link").first().click();
  await page.waitForURL(new RegExp(`#/posts/${postId}$`));
  const status = page.getByTestId("post-status");
  await status.waitFor();
  // The local cloud's scheduler fires at the slot; the page polls and shows the change.
  await page.locator('[data-testid="post-status"][data-status="published"]').waitFor({ timeout: 240_000 });
  const published = await api("GET", `/v1/posts/${postId}`);
  assert.ok(new Date(published.published_at) >= slot.at, "never early");
  assert.equal(await page.locator('[data-testid="target-row"][data-status="published"]').count(), 2);
  await shot(page, "04-post-published");

  await page.getByTestId("post-analytics-link").click();
  await page.waitForURL(/#\/analytics\?post=/);
  const chart = page.getByTestId("post-timeseries");
  // Metrics come from the first collection: ask for it from the page until the chart shows.
  const deadline = Date.now() + 120_000;
  while (!(await chart.isVisible())) {
    assert.ok(Date.now() < deadline, "the post's analytics chart appeared");
    const refresh = page.getByRole("button", { name: /refresh/i });
    if (await refresh.isVisible()) await refresh.click();
    await page.waitForTimeout(2000);
  }
  assert.ok((await chart.getAttribute("aria-label"))?.length, "the chart says what it shows");
  await shot(page, "05-post-analytics");
  assert.deepEqual(page.problems, []);
});

test("a viewer sees the calendar and analytics but no way to change anything", async () => {
  const { key: secret } = await api("POST", "/v1/api-keys", { body: { name: "console viewer", role: "viewer" } });
  const page = await newPage(browser);
  await signIn(page, secret);
  const nav = page.getByRole("navigation", { name: "Main" });
  assert.equal(await nav.getByRole("link", { name: "Compose" }).count(), 0);
  assert.equal(await nav.getByRole("link", { name: "Approvals" }).count(), 0);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Calendar" }).click();
  await page.locator("[data-day]").first().waitFor();
  const chips = page.locator('[data-testid="calendar-post"]');
  if (await chips.count()) {
    assert.equal(await chips.first().getAttribute("draggable"), "false");
  }
  await shot(page, "06-viewer-calendar");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("API key").waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem("herald.key")), null, "signing out forgets the key");
  assert.deepEqual(page.problems, []);
});

test("upload a photo through the presigned form and read its compatibility report", async () => {
  const account = await api("POST", "/v1/accounts", { body: { platform: "instagram", name: "Console Instagram" } });
  const page = await newPage(browser);
  await signIn(page, ADMIN_KEY);
  await page.goto(`${BASE_URL}/#/compose`);
  await page.locator(`[data-testid="account-option"][value="${account.id}"]`).check();
  await page.getByTestId("composer-text").fill("A photo from the console");
  // A real 1080x1080 JPEG (Instagram takes no PNG), drawn by the browser itself.
  const dataUrl = await page.evaluate(() => {
    const canvas = Object.assign(document.createElement("canvas"), { width: 1080, height: 1080 });
    const context = canvas.getContext("2d");
    context.fillStyle = "#3b4cca";
    context.fillRect(0, 0, 1080, 1080);
    context.fillStyle = "#ffffff";
    context.fillRect(340, 340, 400, 400);
    return canvas.toDataURL("image/jpeg", 0.9);
  });
  await page.locator("#composer-media-input").setInputFiles({
    name: "square.jpg", mimeType: "image/jpeg", buffer: Buffer.from(dataUrl.split(",")[1], "base64"),
  });
  const report = page.getByRole("list", { name: "Compatibility of square.jpg" });
  await report.waitFor({ timeout: 60_000 });
  await report.locator("li.compat-ok").filter({ hasText: /instagram/i }).waitFor();
  // The thumbnail comes from the bucket through a presigned GET the page's CSP allows.
  const thumb = page.locator(".media-thumb img").first();
  await thumb.waitFor();
  await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await thumb.elementHandle());
  await shot(page, "09-composer-media");
  assert.deepEqual(page.problems, []);
});

test("the approvals inbox: reject with a reason, approve; cancelling a post asks first", async () => {
  const account = await api("POST", "/v1/accounts", { body: { platform: "threads", name: "Console Threads" } });
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const waiting = async (text) =>
    api("POST", "/v1/posts", {
      body: { text, account_ids: [account.id], requires_approval: true, scheduled_at: `${tomorrow}T09:00:00Z` },
    });
  const [first, second] = [await waiting("Needs a second look"), await waiting("Good to go")];
  assert.equal(first.status, "pending_approval");
  const page = await newPage(browser);
  await signIn(page, ADMIN_KEY);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Approvals" }).click();

  const rejected = page.locator(`[data-testid="approval-item"][data-post-id="${first.id}"]`);
  await rejected.locator('[data-action="reject"]').click();
  const dialog = page.getByRole("dialog", { name: "Reject post" });
  await dialog.getByRole("textbox").fill("The date clashes with the launch");
  await shot(page, "11-approvals-reject");
  await dialog.getByRole("button", { name: /reject/i }).click();
  await rejected.waitFor({ state: "detached" });
  const back = await api("GET", `/v1/posts/${first.id}`);
  assert.equal(back.status, "draft");
  assert.equal(back.approval.reason, "The date clashes with the launch");

  await page.locator(`[data-testid="approval-item"][data-post-id="${second.id}"] [data-action="approve"]`).click();
  await page.locator(`[data-testid="approval-item"][data-post-id="${second.id}"]`).waitFor({ state: "detached" });
  assert.equal((await api("GET", `/v1/posts/${second.id}`)).status, "scheduled");

  await page.goto(`${BASE_URL}/#/posts/${second.id}`);
  await page.locator('[data-testid="post-status"][data-status="scheduled"]').waitFor();
  const cancel = page.locator('button[data-action="cancel"]');
  await cancel.click();
  const confirm = page.getByRole("alertdialog", { name: "Cancel this post?" });
  await confirm.getByRole("button", { name: "Keep it" }).click();
  await confirm.waitFor({ state: "detached" });
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-action")), "cancel", "focus comes back");
  assert.equal((await api("GET", `/v1/posts/${second.id}`)).status, "scheduled");
  await cancel.click();
  await page.getByRole("alertdialog", { name: "Cancel this post?" }).getByRole("button", { name: "Cancel post" }).click();
  await page.locator('[data-testid="post-status"][data-status="cancelled"]').waitFor();
  const timeline = await page.getByTestId("post-timeline").textContent();
  assert.match(timeline, /Waiting for approval[\s\S]*Scheduled[\s\S]*Cancelled/);
  await shot(page, "12-post-cancelled-timeline");
  assert.deepEqual(page.problems, []);
});

test("add a webhook, see its secret once, send a test event, read the delivery and replay it", async () => {
  const received = [];
  const receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      received.push({ type: request.headers["herald-event-type"], signature: request.headers["herald-signature"], body });
      response.writeHead(200).end("ok");
    });
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${receiver.address().port}/hooks`;
  try {
    const page = await newPage(browser);
    await signIn(page, ADMIN_KEY);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
    await page.getByRole("button", { name: "Add a webhook" }).click();
    await page.getByLabel("Receiver URL").fill(url);
    await page.getByRole("button", { name: "Select all" }).click();
    await page.getByRole("button", { name: "Add webhook" }).click();
    const secretDialog = page.getByRole("dialog");
    const secret = await secretDialog.getByLabel("Signing secret").inputValue();
    assert.ok(secret.length >= 16, "the secret is shown once, in full");
    await secretDialog.getByRole("button", { name: "I have stored it" }).click();
    await secretDialog.waitFor({ state: "detached" }).catch(() => secretDialog.waitFor({ state: "hidden" }));
    assert.equal(await page.getByText(secret).count(), 0, "the secret is not on the page any more");

    const item = page.locator("article.webhook-item").filter({ hasText: url });
    await item.getByRole("button", { name: "Send a test event" }).click();
    // Queuing a test opens the webhook's delivery log by itself.
    await item.getByRole("button", { name: "Hide deliveries" }).waitFor();
    const row = () => item.locator("tr").filter({ hasText: "webhook.test" });
    const deadline = Date.now() + 30_000;
    while (!(await row().filter({ hasText: "Delivered" }).count())) {
      assert.ok(Date.now() < deadline, "the test delivery shows as delivered");
      await item.getByRole("button", { name: "Reload" }).click();
      await page.waitForTimeout(500);
    }
    assert.equal(received.filter((r) => r.type === "webhook.test").length, 1);
    assert.ok(received[0].signature, "deliveries are signed");
    await shot(page, "13-webhook-deliveries");

    await row().first().getByRole("button", { name: /^Replay/ }).click();
    while (received.filter((r) => r.type === "webhook.test").length < 2) {
      assert.ok(Date.now() < deadline + 30_000, "the replay reached the receiver");
      await page.waitForTimeout(250);
    }
    await item.getByRole("button", { name: "Reload" }).click();
    await item.locator("tr").filter({ hasText: "(replay)" }).first().waitFor();
    assert.deepEqual(page.problems, []);
  } finally {
    receiver.close();
  }
});

test("every page has a heading, labelled controls and no page errors", async () => {
  const page = await newPage(browser);
  await signIn(page, ADMIN_KEY);
  const pages = ["calendar", "compose", "approvals", "analytics", "accounts", "webhooks"];
  for (const [index, name] of pages.entries()) {
    await page.goto(`${BASE_URL}/#/${name}`);
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    await page.waitForFunction(() => !document.querySelector(".loading"), null, { timeout: 20_000 });
    assert.deepEqual(await unlabelledControls(page), [], `every control on ${name} has a label`);
    await shot(page, `10-page-${index + 1}-${name}`);
  }
  assert.deepEqual(page.problems, []);
});

test("on a phone the menu folds and the calendar still fits", async () => {
  const page = await newPage(browser, { width: 375, height: 812 });
  await signIn(page, ADMIN_KEY);
  const menu = page.getByRole("button", { name: "Menu" });
  await menu.click();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Analytics" }).click();
  for (const name of ["analytics", "calendar", "compose", "webhooks"]) {
    if (name !== "analytics") await page.goto(`${BASE_URL}/#/${name}`);
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    await page.waitForFunction(() => !document.querySelector(".loading"), null, { timeout: 20_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no sideways scrolling on ${name} (${overflow}px too wide)`);
    await shot(page, `07-phone-${name}`);
  }
  assert.deepEqual(page.problems, []);
});

test("drag a post to another day and hour of the week, in the profile's own zone", async () => {
  const me = await api("GET", "/v1/me");
  await api("PATCH", `/v1/profiles/${me.profile.id}`, { body: { timezone: "Asia/Tokyo" } });
  try {
    const account = await api("POST", "/v1/accounts", { body: { platform: "mastodon", name: "Console Mastodon" } });
    // Tuesday of next week, 10:30 in Tokyo (UTC+9, no DST): 01:30Z the same day.
    const now = new Date();
    const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 7 - ((now.getUTCDay() + 6) % 7)));
    const tuesday = new Date(monday.getTime() + 86_400_000);
    const day = tuesday.toISOString().slice(0, 10);
    const next = new Date(tuesday.getTime() + 86_400_000).toISOString().slice(0, 10);
    const post = await api("POST", "/v1/posts", {
      body: { text: "Moved by dragging", account_ids: [account.id], scheduled_at: `${day}T10:30:00`, timezone: "Asia/Tokyo" },
    });
    assert.equal(post.scheduled_at.slice(0, 16), `${day}T01:30`);

    const page = await newPage(browser, { width: 1280, height: 1400, timezoneId: "America/Los_Angeles" });
    await signIn(page, ADMIN_KEY);
    await page.goto(`${BASE_URL}/#/calendar?view=week&day=${day}`);
    const chip = page.locator(`[data-testid="calendar-post"][data-post-id="${post.id}"]`);
    await chip.waitFor();
    assert.equal(await chip.evaluate((el) => el.closest("[data-day]")?.getAttribute("data-day")), day);
    assert.equal(await chip.evaluate((el) => el.closest("[data-hour]")?.getAttribute("data-hour")), "10");
    const slot = page.locator(`[data-day="${next}"] [data-hour="14"]`);
    await slot.scrollIntoViewIfNeeded();
    await chip.dragTo(slot);
    await page.getByRole("status").filter({ hasText: /^Moved to/ }).first().waitFor();
    const moved = await api("GET", `/v1/posts/${post.id}`);
    assert.equal(moved.scheduled_at.slice(0, 16), `${next}T05:30`, "14:30 in Tokyo, whatever the browser's zone");
    assert.equal(moved.status, "scheduled");
    await page.locator(`[data-day="${next}"] [data-hour="14"] [data-post-id="${post.id}"]`).waitFor();
    await shot(page, "08-week-after-drag");
    assert.deepEqual(page.problems, []);
  } finally {
    await api("PATCH", `/v1/profiles/${me.profile.id}`, { body: { timezone: "UTC" } });
  }
});
