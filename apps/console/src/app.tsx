import { Component, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Api } from './api.js';
import { forgetDrafts, type Author } from './drafts.js';
import { ConsentPage } from './pages/consent-page.js';
import { DirectoryPage } from './pages/directory-page.js';
import { HistoryPage } from './pages/history-page.js';
import { NumberPage } from './pages/number-page.js';
import { NumbersList } from './pages/numbers-list.js';
import { SignIn } from './pages/sign-in.js';
import { WeekView } from './pages/week-view.js';
import { keepSession, storedSession, type Session } from './session.js';

/** Where the address says we are: `#/numbers`, `#/numbers/<n>`, `#/numbers/<n>/week`, `#/numbers/<n>/history`, `#/directory`, `#/consent`. */
function parseRoute(): string[] {
  try {
    return window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return [];
  }
}

function useRoute(): string[] {
  const [route, setRoute] = useState(parseRoute);
  useEffect(() => {
    const changed = () => setRoute(parseRoute());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

const titleOf = ([first, number, part]: string[]): string =>
  first === 'numbers' && number ? `${number}${part === 'week' ? ': the week' : part === 'history' ? ': history' : ''}` : first === 'directory' ? 'Directory' : first === 'consent' ? 'Consent' : 'Numbers';

export function App() {
  const [session, setSession] = useState<Session | undefined>(storedSession);
  const [signedOut, setSignedOut] = useState<string>();
  const route = useRoute();
  const signIn = (s: Session | undefined, why?: string) => (keepSession(s), setSession(s), setSignedOut(why));
  const api = useMemo(() => session && new Api(session.token, () => signIn(undefined, 'The API refused your token (it expired, or is not valid here): sign in again.')), [session]);
  const title = titleOf(route);
  useEffect(() => {
    // A new page: its name in the title, and the keyboard's place at its start (the link that led here is gone).
    document.title = `${title} · Kite conversations`;
    document.querySelector<HTMLElement>('main')?.focus({ preventScroll: true });
  }, [title, session]);
  return (
    <>
      <header className="top">
        <h1>Kite conversations</h1>
        {session && (
          <nav aria-label="Main">
            <a href="#/numbers">Numbers</a> <a href="#/directory">Directory</a> <a href="#/consent">Consent</a>
            <span className="who">
              {session.tenant} · {session.sub} ({session.role})
            </span>
            <button type="button" className="secondary" onClick={() => (forgetDrafts(), signIn(undefined))}>
              Sign out
            </button>
          </nav>
        )}
      </header>
      <main tabIndex={-1}>
        {!session || !api ? (
          <SignIn onSignIn={signIn} {...(signedOut ? { notice: signedOut } : {})} />
        ) : (
          <Failsafe key={route.join('/')}>
            <Page route={route} api={api} canWrite={session.role === 'admin'} author={session} />
          </Failsafe>
        )}
      </main>
    </>
  );
}

/** A page that fails to draw says so, and the rest of the console stays usable. */
class Failsafe extends Component<{ children: ReactNode }, { failure?: string }> {
  override state: { failure?: string } = {};
  static getDerivedStateFromError(e: unknown) {
    return { failure: e instanceof Error ? e.message : String(e) };
  }
  override render() {
    return this.state.failure ? <p role="alert">This page could not be shown: {this.state.failure}</p> : this.props.children;
  }
}

function Page({ route, api, canWrite, author }: { route: string[]; api: Api; canWrite: boolean; author: Author }) {
  const [first, number, part] = route;
  if (first === 'numbers' && number && part === 'week') return <WeekView key={number} api={api} number={number} />;
  if (first === 'numbers' && number && part === 'history') return <HistoryPage key={number} api={api} number={number} canWrite={canWrite} />;
  if (first === 'numbers' && number) return <NumberPage key={number} api={api} number={number} canWrite={canWrite} author={author} />;
  if (first === 'directory') return <DirectoryPage api={api} canWrite={canWrite} />;
  if (first === 'consent') return <ConsentPage api={api} canWrite={canWrite} />;
  return <NumbersList api={api} />;
}
