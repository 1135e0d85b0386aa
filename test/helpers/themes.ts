/**
 * Articles on subjects with disjoint vocabularies, generated from a seed: clustering separates
 * them exactly, so tests about what happens around the clustering can count on its topics.
 */
import { SeededRandom } from '../../src/numeric/random.js';

export const THEMES = {
  football: [
    'striker',
    'goal',
    'league',
    'match',
    'manager',
    'club',
    'keeper',
    'penalty',
    'stadium',
    'fans',
    'cup',
    'referee',
    'midfield',
    'transfer',
    'season',
  ],
  rates: [
    'inflation',
    'bank',
    'interest',
    'rates',
    'bonds',
    'mortgage',
    'lending',
    'economists',
    'prices',
    'currency',
    'deficit',
    'treasury',
    'yields',
    'credit',
    'savings',
  ],
  phones: [
    'smartphone',
    'battery',
    'chip',
    'camera',
    'screen',
    'app',
    'software',
    'processor',
    'charger',
    'handset',
    'display',
    'sensor',
    'firmware',
    'wireless',
    'storage',
  ],
} as const;

export type Theme = keyof typeof THEMES;

export interface ThemedArticle {
  id: string;
  category: Theme;
  title: string;
  body: string;
  publishedAt?: string;
}

export function themedArticles(theme: Theme, count: number, seed = 1): ThemedArticle[] {
  const random = new SeededRandom(seed);
  const words = THEMES[theme];
  const pick = (n: number) => Array.from({ length: n }, () => words[random.nextInt(words.length)]);
  return Array.from({ length: count }, (_, i) => ({
    id: `${theme}-${seed}-${i}`,
    category: theme,
    title: `The ${pick(3).join(' and ')} story ${i}`,
    body: Array.from({ length: 4 }, () => `The ${pick(6).join(' with the ')} were in the news.`).join(' '),
  }));
}
