import { useRef, useState, type RefObject } from "react";
import { Dialog } from "../ui/Dialog";

/** The signing secret, shown this once (Herald keeps it sealed and never shows it again). */
export function SecretDialog({
  secret,
  onClose,
  fallbackFocus,
}: {
  secret: string | undefined;
  onClose: () => void;
  fallbackFocus?: RefObject<HTMLElement | null>;
}) {
  const [copied, setCopied] = useState<string>();
  const inputRef = useRef<HTMLInputElement>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret ?? "");
      setCopied("Copied to the clipboard.");
    } catch {
      inputRef.current?.select();
      setCopied("The browser did not allow copying: the secret is selected, copy it with Ctrl+C or ⌘C.");
    }
  }

  return (
    <Dialog
      open={!!secret}
      title="Store the signing secret"
      fallbackFocus={fallbackFocus}
      onClose={() => {
        setCopied(undefined);
        onClose();
      }}
    >
      <p>
        Your receiver checks each delivery's signature with this secret. Herald shows it <strong>only now</strong>: lost, the
        webhook must be deleted and registered again.
      </p>
      <label htmlFor="webhook-secret">Signing secret</label>
      <input
        ref={inputRef}
        id="webhook-secret"
        type="text"
        readOnly
        value={secret ?? ""}
        className="mono"
        onFocus={(event) => event.target.select()}
      />
      <p role="status" aria-live="polite" className="hint">
        {copied}
      </p>
      <div className="dialog-actions">
        <button type="button" className="button-secondary" onClick={copy} data-autofocus>
          Copy
        </button>
        <button
          type="button"
          onClick={(event) => event.currentTarget.closest("dialog")?.close()}
        >
          I have stored it
        </button>
      </div>
    </Dialog>
  );
}
