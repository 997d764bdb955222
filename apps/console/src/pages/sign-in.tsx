import { useState } from 'react';
import { Api, ApiError } from '../api.js';
import { sessionOf, type Session } from '../session.js';

/** Sign-in with a bearer token (a development one from `npm run token` works), checked by the API itself. */
export function SignIn({ onSignIn, notice }: { onSignIn: (s: Session) => void; notice?: string }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string>();
  return (
    <form
      className="sign-in"
      onSubmit={(e) => {
        e.preventDefault();
        const session = sessionOf(token);
        if (typeof session === 'string') return setProblem(session);
        new Api(session.token).directory().then(
          () => onSignIn(session),
          (e: unknown) => setProblem(e instanceof ApiError && e.status === 401 ? 'The API refused this token: it has expired, or was not signed for this system.' : `The API could not be reached: ${String(e)}`),
        );
      }}
    >
      <h2>Sign in</h2>
      {notice && <p className="notice">{notice}</p>}
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
