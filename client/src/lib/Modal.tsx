import { onCleanup, onMount, type JSX } from 'solid-js';

const FOCUSABLE = 'input, textarea, select, button, a[href], [tabindex]:not([tabindex="-1"])';

/** A modal dialog: focus moves in, stays in (Tab wraps), Escape closes, focus returns to where it was. */
export function Modal(props: { title: string; onClose: () => void; children: JSX.Element }) {
  let panel!: HTMLDivElement;
  const previous = document.activeElement as HTMLElement | null;
  const titleId = `dialog-${Math.random().toString(36).slice(2)}`;
  // Escape closes wherever focus is (a button that got disabled leaves it on the body).
  const onDocumentKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !panel.contains(event.target as Node)) props.onClose();
  };
  onMount(() => {
    const first = panel.querySelector<HTMLElement>('input, textarea, select, button');
    (first ?? panel).focus();
    document.addEventListener('keydown', onDocumentKey);
  });
  onCleanup(() => {
    document.removeEventListener('keydown', onDocumentKey);
    previous?.focus?.();
  });
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      props.onClose();
    } else if (event.key === 'Tab') {
      const focusable = [...panel.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
        (el) => !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0,
      );
      if (focusable.length === 0) return;
      const first = focusable[0]!;
      const last = focusable[focusable.length - 1]!;
      // From the dialog itself (focused when it has no field) Shift+Tab also wraps to the end.
      if (event.shiftKey && (document.activeElement === first || document.activeElement === panel)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  };
  return (
    <div class="modal-backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class="modal" role="dialog" aria-modal="true" aria-labelledby={titleId} ref={panel} tabIndex={-1} onKeyDown={onKeyDown}>
        <h2 id={titleId}>{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}

/** A dialog form's buttons: its primary action, which submits the form, and Cancel. */
export function DialogActions(props: { submit: string; disabled?: boolean; onCancel: () => void }) {
  return (
    <div class="actions">
      <button type="submit" class="primary" disabled={props.disabled}>
        {props.submit}
      </button>
      <button type="button" onClick={() => props.onCancel()}>
        Cancel
      </button>
    </div>
  );
}
