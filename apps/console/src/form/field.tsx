import type { ReactNode } from 'react';
import { fieldId, problemsAt } from './problems.js';
import type { Problem } from '../api.js';

export interface FieldProps {
  label: string;
  /** The JSON path of the value in the request body: where the API's problems about it point. */
  path: string;
  problems: readonly Problem[];
  hint?: string;
  children: (input: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}

/** A labelled input with the API's problems about it written beside it. */
export function Field({ label, path, problems, hint, children }: FieldProps) {
  const id = fieldId(path);
  const messages = problemsAt(problems, path);
  const described = [hint ? `${id}-hint` : '', messages.length ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={messages.length ? 'field invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': messages.length > 0, ...(described ? { 'aria-describedby': described } : {}) })}
      {hint && (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {messages.length > 0 && (
        <span className="error" id={`${id}-error`}>
          {messages.join('; ')}
        </span>
      )}
    </div>
  );
}

/** Problems about a whole part of the form (a period, a list). */
export function PartProblems({ path, problems }: { path: string; problems: readonly Problem[] }) {
  const messages = problemsAt(problems, path);
  if (messages.length === 0) return null;
  return (
    <p className="error" id={`${fieldId(path)}-error`}>
      {messages.join('; ')}
    </p>
  );
}
