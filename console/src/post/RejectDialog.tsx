// Reject a post waiting for approval, with a reason its author will read.
import { useId, useState, type FormEvent } from "react";
import { Dialog } from "../ui/Dialog";

export function RejectDialog({ onReject, onClose }: { onReject: (reason: string) => void; onClose: () => void }) {
  const [reason, setReason] = useState("");
  const id = useId();
  function submit(event: FormEvent) {
    event.preventDefault();
    onReject(reason.trim());
    onClose();
  }
  return (
    <Dialog open title="Reject post" onClose={onClose}>
      <form onSubmit={submit}>
        <label htmlFor={id}>Reason</label>
        <textarea id={id} value={reason} maxLength={2000} onChange={(event) => setReason(event.target.value)} data-autofocus />
        <p className="hint">The post goes back to draft; its author sees the reason on the post's page.</p>
        <div className="dialog-actions">
          <button type="button" className="button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-danger">
            Reject
          </button>
        </div>
      </form>
    </Dialog>
  );
}
