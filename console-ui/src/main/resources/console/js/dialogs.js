// Confirmation steps as <dialog> elements (never window.confirm): a kick dialog with a reason, and a general one.

import { setText } from './dom.js';

function ask(dialog, { title, text, confirmLabel, reasonInput, reasonLabel, danger = true }) {
  const titleEl = dialog.querySelector('.dialog-title');
  const textEl = dialog.querySelector('.dialog-text');
  const ok = dialog.querySelector('.dialog-ok');
  const cancel = dialog.querySelector('.dialog-cancel');
  const form = dialog.querySelector('form');
  const reasonRow = dialog.querySelector('.dialog-reason');
  setText(titleEl, title);
  setText(textEl, text);
  setText(ok, confirmLabel || 'Confirm');
  ok.classList.toggle('danger', danger);
  if (reasonRow) {
    reasonRow.hidden = !reasonInput;
    if (reasonLabel) setText(reasonRow.querySelector('label'), reasonLabel);
    reasonRow.querySelector('input').value = '';
  }
  return new Promise((resolve) => {
    let answer = null;
    const onSubmit = (ev) => {
      ev.preventDefault();
      const input = reasonRow && !reasonRow.hidden ? reasonRow.querySelector('input') : null;
      answer = { reason: input ? input.value.trim() : '' };
      dialog.close('ok');
    };
    const onCancel = () => dialog.close('cancel');
    const onClose = () => {
      form.removeEventListener('submit', onSubmit);
      cancel.removeEventListener('click', onCancel);
      dialog.removeEventListener('close', onClose);
      resolve(answer);
    };
    form.addEventListener('submit', onSubmit);
    cancel.addEventListener('click', onCancel);
    dialog.addEventListener('close', onClose);
    dialog.showModal();
    const first = reasonRow && !reasonRow.hidden ? reasonRow.querySelector('input') : cancel;
    first.focus();
  });
}

/** Asks for a kick reason and confirmation; resolves to {reason} or null when cancelled. */
export function askKick(text, confirmLabel = 'Kick') {
  return ask(document.getElementById('kick-dialog'), {
    title: 'Kick', text, confirmLabel, reasonInput: true,
  });
}

/** A yes/no question, optionally with a reason field; resolves to {reason} or null. */
export function askConfirm({ title, text, confirmLabel, reason = false, reasonLabel = 'Reason (optional)', danger = true }) {
  return ask(document.getElementById('confirm-dialog'), {
    title, text, confirmLabel, reasonInput: reason, reasonLabel, danger,
  });
}
