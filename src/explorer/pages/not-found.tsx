import { useTitle } from '../use-query';

export function NotFound() {
  useTitle('Not found');
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Not found</h1>
      <p>
        There is no page here. See the <a href="/">topics</a>.
      </p>
    </section>
  );
}
