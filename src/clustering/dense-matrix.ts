// TEMPORARY re-export while the stages are rewritten: import from ../numeric/dense-matrix.js.
export { dotRows, gatherRows, groupMeanDirections, normaliseRows, transposeDense } from '../numeric/dense-matrix.js';
