// The live checks per chosen network: accepted or not, its length counters, errors and warnings.
import type { ContentProblem } from "../api/types";
import { network } from "../ui/networks";
import { CounterView } from "./bits";
import type { NetworkCounters } from "./ContentTabs";
import { problemsOf, summary } from "./problems";
import type { Check } from "./useValidation";

function statusText(check: Check, networks: string[]): string {
  if (!networks.length) return "Choose at least one account to check the post.";
  if (check.state === "waiting" || check.state === "checking") return "Checking…";
  if (check.state === "error") return `The check failed: ${check.error?.message ?? "unknown error"}`;
  if (check.state === "done" && check.result) return summary(check.result, networks);
  return "";
}

function Problems({ problems, kind }: { problems: ContentProblem[]; kind: "error" | "warning" }) {
  if (!problems.length) return null;
  return (
    <ul className={`problems problems-${kind}`}>
      {problems.map((p, index) => (
        <li key={index}>
          <span className="problem-kind">{kind === "error" ? "Error" : "Warning"}:</span> {p.message}
        </li>
      ))}
    </ul>
  );
}

export function Checks({
  check,
  networks,
  counters,
}: {
  check: Check;
  networks: string[];
  counters: Record<string, NetworkCounters>;
}) {
  const result = check.result;
  const general = problemsOf(result, null);
  const stale = !check.current;
  return (
    <section className="composer-checks card" aria-labelledby="checks-title">
      <h2 id="checks-title">Checks</h2>
      <p className="checks-status" role="status" aria-live="polite">
        {statusText(check, networks)}
      </p>
      {result && networks.length > 0 && (
        <div className={stale ? "checks-stale" : undefined}>
          <Problems problems={general.errors} kind="error" />
          <Problems problems={general.warnings} kind="warning" />
          <ul className="check-list">
            {networks.map((id) => {
              const own = problemsOf(result, id);
              const known = result.networks.includes(id);
              const ok = known && own.errors.length === 0;
              return (
                <li key={id} className="check-network" data-network={id} data-valid={known ? String(ok) : undefined}>
                  <div className="check-head">
                    <span className="check-name" style={{ borderColor: network(id).color }}>
                      {network(id).label}
                    </span>
                    {known && (
                      <span className={`badge ${ok ? "badge-valid" : "badge-invalid"}`}>
                        <span aria-hidden="true">{ok ? "✓ " : "✗ "}</span>
                        {ok ? "Valid" : "Invalid"}
                      </span>
                    )}
                    <span className="spacer" />
                    {counters[id] && <CounterView counter={counters[id].text} />}
                    {counters[id]?.title && (
                      <span className="title-counter">
                        Title <CounterView counter={counters[id].title!} />
                      </span>
                    )}
                  </div>
                  <Problems problems={own.errors} kind="error" />
                  <Problems problems={own.warnings} kind="warning" />
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </section>
  );
}
