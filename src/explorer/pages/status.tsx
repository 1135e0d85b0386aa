/** What a page shows while its query runs, or when it failed. */
export function Loading({ what }: { what: string }) {
  return (
    <p class="status" role="status">
      Loading {what}…
    </p>
  );
}

export function Failure({ message }: { message: string }) {
  return (
    <p class="status error" role="alert">
      Could not load: {message}
    </p>
  );
}
