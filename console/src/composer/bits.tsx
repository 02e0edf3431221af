// Small pieces the composer's sections share: errors under a field, a length counter.
import { describe, type Counter } from "./counters";
import { network } from "../ui/networks";

export function FieldErrors({ id, messages }: { id: string; messages?: string[] }) {
  if (!messages?.length) return null;
  return (
    <div id={id} className="field-errors">
      {messages.map((message, index) => (
        <p key={index} className="field-error">
          {message}
        </p>
      ))}
    </div>
  );
}

export function CounterView({ counter, withName = false }: { counter: Counter; withName?: boolean }) {
  const over = counter.count - counter.limit;
  return (
    <span className={`counter${counter.over ? " counter-over" : ""}`} data-network={counter.network}>
      {withName && <span className="counter-name">{network(counter.network).label}</span>}
      <span className="counter-value">{describe(counter)}</span>
      <span className="visually-hidden"> {counter.unit}</span>
      {counter.over && <span className="counter-note"> · {over.toLocaleString("en")} over the limit</span>}
    </span>
  );
}
