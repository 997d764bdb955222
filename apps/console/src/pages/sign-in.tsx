import { useState } from 'react';
import { sessionOf, type Session } from '../session.js';

/** Sign-in with a bearer token (a development one from `npm run token` works). */
export function SignIn({ onSignIn }: { onSignIn: (s: Session) => void }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string>();
  return (
    <form
      className="sign-in"
      onSubmit={(e) => {
        e.preventDefault();
        const session = sessionOf(token);
        if (typeof session === 'string') setProblem(session);
        else onSignIn(session);
      }}
    >
      <h2>Sign in</h2>
      <label htmlFor="token">Token</label>
      <textarea id="token" rows={4} value={token} onChange={(e) => setToken(e.target.value)} aria-describedby="token-hint" aria-invalid={problem !== undefined} />
      <p id="token-hint" className="hint">
        A bearer token for the configuration API. For development: <code>npm run token -- --tenant acme --role admin</code>.
      </p>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <button type="submit">Sign in</button>
    </form>
  );
}
