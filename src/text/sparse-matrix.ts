// TEMPORARY re-export while the stages are rewritten: import from ../numeric/sparse-matrix.js.
export { type CsrMatrix, selectRows, transposeCsr } from '../numeric/sparse-matrix.js';
