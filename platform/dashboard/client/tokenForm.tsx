import { useState } from 'preact/hooks';

/** Asks for a bearer token when the dashboard is exposed; the token stays in this tab's sessionStorage. */
export function TokenForm(props: { status: number; message: string; hadToken: boolean; onToken(token: string): void }) {
  const [value, setValue] = useState('');
  return (
    <section aria-labelledby="token-title" class="token">
      <h2 id="token-title">{props.status === 401 ? 'Sign in with a token' : 'Access denied'}</h2>
      <p role="alert">{props.message}</p>
      <p>Paste a Kubernetes bearer token whose user may <code>list nodeclaims</code> in the management cluster
        (for example <code>kubectl create token NAME</code>).</p>
      <form onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) props.onToken(value.trim());
      }}>
        <label>Bearer token <input type="password" autoComplete="off" value={value}
          onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)} required /></label>
        <button type="submit">{props.hadToken ? 'Try another token' : 'Open the dashboard'}</button>
      </form>
    </section>
  );
}
