import { builder } from './builder.js';
import './schema/index.js';

export const schema = builder.toSchema({ sortSchema: false });
export type { GraphQLContext } from './builder.js';
