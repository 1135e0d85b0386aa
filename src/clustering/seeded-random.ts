// TEMPORARY re-export while the stages are rewritten: import from ../numeric/random.js.
export { SeededRandom, deriveSeed } from '../numeric/random.js';
