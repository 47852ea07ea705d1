import { createEffect, onCleanup } from 'solid-js';

/** Sets the page title ("<what> · Tandem") while the calling component is shown. */
export function useTitle(what: () => string | undefined): void {
  createEffect(() => {
    const text = what();
    document.title = text ? `${text} · Tandem` : 'Tandem';
  });
  onCleanup(() => {
    document.title = 'Tandem';
  });
}
