// Debian's chromium driven by playwright-core (no browser download): the launch the browser
// tests share, and a screenshot helper that keeps each shot as a test artefact.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const BASE_URL = required("HERALD_URL");
export const ADMIN_KEY = required("HERALD_KEY");
export const ARTIFACTS = process.env.HERALD_ARTIFACTS ?? join(import.meta.dirname, "artifacts");
const EXECUTABLE = process.env.HERALD_CHROMIUM ?? "/usr/bin/chromium";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through make test (tests/browser)`);
  return value;
}

export async function launch() {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: EXECUTABLE,
    headless: true,
    // The machine's network is closed: no background calls to Google's hosts.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** A new page that fails the test on any uncaught page error or console error. */
export async function newPage(browser, { width = 1280, height = 900, timezoneId = "UTC" } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, timezoneId, locale: "en-GB" });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  page.problems = problems;
  return page;
}

export async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export async function signIn(page, key) {
  await page.goto(`${BASE_URL}/`);
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** Every form control the page shows has an accessible name (a label or aria-label). */
export async function unlabelledControls(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")]
      .filter((el) => el.type !== "hidden" && el.offsetParent !== null)
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

export async function api(method, path, { key = ADMIN_KEY, body } = {}) {
  const response = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}
