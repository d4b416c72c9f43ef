/** The project's seeded generator, for the tests and the benchmark datasets. */
export { seededRandom } from '../../src/core/random';
