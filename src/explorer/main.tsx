// biome-ignore lint/suspicious/noDeprecatedImports: only render's third parameter (replaceNode) is deprecated, not render.
import { render } from 'preact';
import { App } from './app';
import './styles.css';

render(<App />, document.getElementById('app')!);
