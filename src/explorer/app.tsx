/**
 * The explorer: the page frame (skip link, banner with navigation and search, main, footer) and
 * its routes. Links are plain `<a href>`; preact-iso turns same-origin clicks into client-side
 * navigation, and the server answers every route with the same page, so a reload or a shared
 * link lands on the same view.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { ArticlePage } from './pages/article';
import { NotFound } from './pages/not-found';
import { Overview } from './pages/overview';
import { RunsPage } from './pages/runs';
import { SearchPage } from './pages/search';
import { TopicPage } from './pages/topic';

function SearchBox() {
  const { path, query, route } = useLocation();
  const current = path === '/search' ? (query.q ?? '') : '';
  return (
    <search>
      <form
        class="search-box"
        onSubmit={(event) => {
          event.preventDefault();
          const input = new FormData(event.currentTarget).get('q');
          const text = typeof input === 'string' ? input.trim() : '';
          if (text) route(`/search?q=${encodeURIComponent(text)}`);
        }}
      >
        <label for="search-input">Search articles</label>
        <input id="search-input" name="q" type="search" value={current} key={current} placeholder="e.g. interest rates" />
        <button type="submit">Search</button>
      </form>
    </search>
  );
}

function NavLink({ href, children }: { href: string; children: ComponentChildren }) {
  const { path } = useLocation();
  const current = href === '/' ? path === '/' : path.startsWith(href);
  return (
    <a href={href} aria-current={current ? 'page' : undefined}>
      {children}
    </a>
  );
}

/** After a client-side navigation, focus goes to the new page's main region, as a page load would put it. */
function FocusOnNavigation() {
  const { url } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus();
    window.scrollTo(0, 0);
  }, [url]);
  return null;
}

export function App() {
  return (
    <LocationProvider>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="banner">
        <a class="brand" href="/">
          News topics
        </a>
        <nav aria-label="Main">
          <NavLink href="/">Topics</NavLink>
          <NavLink href="/search">Search</NavLink>
          <NavLink href="/runs">Clustering runs</NavLink>
          <a href="/graphql">GraphQL API</a>
        </nav>
        <SearchBox />
      </header>
      <FocusOnNavigation />
      <main id="main" tabIndex={-1}>
        <Router>
          <Route path="/" component={Overview} />
          <Route path="/topics/:slug" component={TopicPage} />
          <Route path="/articles/:id" component={ArticlePage} />
          <Route path="/search" component={SearchPage} />
          <Route path="/runs" component={RunsPage} />
          <Route default component={NotFound} />
        </Router>
      </main>
      <footer class="footer">
        Data from this server’s public GraphQL API at <a href="/graphql">/graphql</a>.
      </footer>
    </LocationProvider>
  );
}
