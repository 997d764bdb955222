import { useEffect, useMemo, useState } from 'react';
import { Api } from './api.js';
import { ConsentPage } from './pages/consent-page.js';
import { DirectoryPage } from './pages/directory-page.js';
import { HistoryPage } from './pages/history-page.js';
import { NumberPage } from './pages/number-page.js';
import { NumbersList } from './pages/numbers-list.js';
import { SignIn } from './pages/sign-in.js';
import { WeekView } from './pages/week-view.js';
import { keepSession, storedSession, type Session } from './session.js';

/** Where the address says we are: `#/numbers`, `#/numbers/<n>`, `#/numbers/<n>/week`, `#/numbers/<n>/history`, `#/directory`, `#/consent`. */
function useRoute(): string[] {
  const parse = () => window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const changed = () => setRoute(parse());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

export function App() {
  const [session, setSession] = useState<Session | undefined>(storedSession);
  const route = useRoute();
  const api = useMemo(() => session && new Api(session.token), [session]);
  const signIn = (s: Session | undefined) => (keepSession(s), setSession(s));
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
            <button type="button" className="secondary" onClick={() => signIn(undefined)}>
              Sign out
            </button>
          </nav>
        )}
      </header>
      <main>{!session || !api ? <SignIn onSignIn={signIn} /> : <Page route={route} api={api} canWrite={session.role === 'admin'} />}</main>
    </>
  );
}

function Page({ route, api, canWrite }: { route: string[]; api: Api; canWrite: boolean }) {
  const [first, number, part] = route;
  if (first === 'numbers' && number && part === 'week') return <WeekView api={api} number={number} />;
  if (first === 'numbers' && number && part === 'history') return <HistoryPage api={api} number={number} canWrite={canWrite} />;
  if (first === 'numbers' && number) return <NumberPage key={number} api={api} number={number} canWrite={canWrite} />;
  if (first === 'directory') return <DirectoryPage api={api} canWrite={canWrite} />;
  if (first === 'consent') return <ConsentPage api={api} canWrite={canWrite} />;
  return <NumbersList api={api} />;
}
