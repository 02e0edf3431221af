import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { ApiError, request } from "./api/client";
import type { Me } from "./api/types";
import { MeContext, type MeState } from "./me";
import { Accounts } from "./pages/Accounts";
import { Analytics } from "./pages/Analytics";
import { Approvals } from "./pages/Approvals";
import { Calendar } from "./pages/Calendar";
import { Composer } from "./pages/Composer";
import { PostDetail } from "./pages/PostDetail";
import { SignIn } from "./pages/SignIn";
import { Webhooks } from "./pages/Webhooks";
import { href, useRoute } from "./router";
import { session } from "./session";
import { ErrorNotice, Loading } from "./ui/feedback";

function useKey(): string | null {
  return useSyncExternalStore(session.subscribe, session.key);
}

export function App() {
  const key = useKey();
  const [expired] = useState(() => session.takeExpired());
  if (!key) return <SignIn expired={expired} />;
  return <SignedIn key={key} />;
}

function SignedIn() {
  const profileKey = useSyncExternalStore(session.subscribe, session.profileKey);
  const [me, setMe] = useState<Me>();
  const [error, setError] = useState<ApiError>();
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((n) => n + 1), []);

  useEffect(() => {
    request<Me>("GET", "/v1/me")
      .then(setMe)
      .catch((reason: ApiError) => setError(reason));
  }, [profileKey, round]);

  const state = useMemo<MeState | undefined>(
    () => me && { me, can: me.can, timezone: me.profile.timezone ?? "UTC", reload },
    [me, reload],
  );

  if (error) return <main className="page"><ErrorNotice error={error} onRetry={reload} /></main>;
  if (!state) return <main className="page"><Loading label="Signing in…" /></main>;
  return (
    <MeContext.Provider value={state}>
      <Shell state={state} />
    </MeContext.Provider>
  );
}

interface NavItem {
  path: string;
  label: string;
  show: boolean;
}

function Shell({ state }: { state: MeState }) {
  const route = useRoute();
  const [menuOpen, setMenuOpen] = useState(false);
  const section = route.path[0] ?? "calendar";
  const nav: NavItem[] = [
    { path: "calendar", label: "Calendar", show: true },
    { path: "compose", label: "Compose", show: state.can.edit },
    { path: "approvals", label: "Approvals", show: state.can.approve },
    { path: "analytics", label: "Analytics", show: true },
    { path: "accounts", label: "Accounts", show: true },
    { path: "webhooks", label: "Webhooks", show: true },
  ];

  useEffect(() => setMenuOpen(false), [section]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href={href("/calendar")}>
          Herald
        </a>
        <button
          type="button"
          className="menu-toggle button-secondary"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </button>
        <nav id="main-nav" aria-label="Main" className={menuOpen ? "open" : undefined}>
          <ul>
            {nav
              .filter((item) => item.show)
              .map((item) => (
                <li key={item.path}>
                  <a href={href(`/${item.path}`)} aria-current={section === item.path ? "page" : undefined}>
                    {item.label}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
        <ProfileSwitch state={state} />
        <div className="who">
          <span className="role" title={`Key ${state.me.key.name}`}>
            {state.me.key.role}
          </span>
          <button type="button" className="button-secondary" onClick={() => session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <Page section={section} route={route} />
      </main>
    </div>
  );
}

function ProfileSwitch({ state }: { state: MeState }) {
  const profiles = state.me.profiles ?? [];
  if (profiles.length < 2) return <span className="profile-name" title="The profile this console acts on">Profile: {state.me.profile.name}</span>;
  return (
    <label className="profile-switch">
      <span className="visually-hidden">Profile</span>
      <select
        value={state.me.profile.profile_key}
        onChange={(event) => {
          const chosen = profiles.find((p) => p.profile_key === event.target.value);
          session.useProfile(chosen && !chosen.is_default ? chosen.profile_key : null);
        }}
      >
        {profiles.map((profile) => (
          <option key={profile.id} value={profile.profile_key}>
            {profile.name}
          </option>
        ))}
      </select>
    </label>
  );
}

function Page({ section, route }: { section: string; route: ReturnType<typeof useRoute> }) {
  switch (section) {
    case "calendar":
      return <Calendar query={route.query} />;
    case "compose":
      return <Composer postId={route.query.get("post") ?? undefined} day={route.query.get("day") ?? undefined} />;
    case "approvals":
      return <Approvals />;
    case "posts":
      return route.path[1] ? <PostDetail postId={route.path[1]} /> : <Calendar query={route.query} />;
    case "analytics":
      return <Analytics postId={route.query.get("post") ?? undefined} />;
    case "accounts":
      return <Accounts />;
    case "webhooks":
      return <Webhooks />;
    default:
      return <h1>Page not found</h1>;
  }
}
