// The API key lives only in sessionStorage: it is gone when the tab closes, never in a cookie
// or localStorage, and never leaves this origin.
const KEY = "herald.key";
const PROFILE = "herald.profileKey";
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  profileKey: (): string | null => sessionStorage.getItem(PROFILE),
  signIn(key: string): void {
    sessionStorage.setItem(KEY, key);
    notify();
  },
  useProfile(profileKey: string | null): void {
    if (profileKey) sessionStorage.setItem(PROFILE, profileKey);
    else sessionStorage.removeItem(PROFILE);
    notify();
  },
  signOut(): void {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(PROFILE);
    notify();
  },
  // A 401 on a call means the key was revoked or is wrong: back to sign-in.
  expire(): void {
    if (sessionStorage.getItem(KEY)) {
      sessionStorage.setItem("herald.expired", "1");
      this.signOut();
    }
  },
  takeExpired(): boolean {
    const expired = sessionStorage.getItem("herald.expired") === "1";
    sessionStorage.removeItem("herald.expired");
    return expired;
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
