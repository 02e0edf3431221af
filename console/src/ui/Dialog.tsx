import { useEffect, useId, useRef, type ReactNode, type RefObject } from "react";
import "./dialog.css";

/** A modal <dialog>: the browser keeps focus inside and closes it on Escape. It opens on the
 * element marked `data-autofocus`, and focus goes back to what had it before when it closes,
 * or when the caller stops rendering it while open. */
export function Dialog({
  open,
  title,
  onClose,
  children,
  role = "dialog",
  fallbackFocus,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  role?: "dialog" | "alertdialog";
  fallbackFocus?: RefObject<HTMLElement | null>; // when what had focus is gone (a deleted row)
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const before = useRef<Element | null>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      before.current = document.activeElement;
      dialog.showModal();
      dialog.querySelector<HTMLElement>("[data-autofocus]")?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  function restoreFocus() {
    const previous = before.current;
    if (previous instanceof HTMLElement && previous.isConnected) previous.focus();
    else fallbackFocus?.current?.focus();
  }

  useEffect(() => {
    const dialog = ref.current;
    return () => {
      // Unmounted while open: no close event reaches React any more.
      if (dialog?.open) {
        dialog.close();
        restoreFocus();
      }
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  function closed() {
    restoreFocus();
    onClose();
  }

  return (
    <dialog ref={ref} className="dialog card" role={role} aria-labelledby={titleId} onClose={closed}>
      <h2 id={titleId}>{title}</h2>
      {open && children}
    </dialog>
  );
}

/** "Disconnect X?" with the dangerous button named for what it does. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  cancelLabel = "Cancel",
  busy = false,
  onConfirm,
  onCancel,
  fallbackFocus,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  fallbackFocus?: RefObject<HTMLElement | null>;
}) {
  return (
    <Dialog open={open} title={title} onClose={onCancel} role="alertdialog" fallbackFocus={fallbackFocus}>
      {children}
      <div className="dialog-actions">
        <button type="button" className="button-secondary" onClick={onCancel} data-autofocus>
          {cancelLabel}
        </button>
        <button type="button" className="button-danger" onClick={onConfirm} disabled={busy}>
          {busy ? "Working…" : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
