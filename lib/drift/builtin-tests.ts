/**
 * Loads every family of built-in drift tests; each registers its tests in the registry on load
 * (as importing Evidently's stattests package registers its tests). Modules that look tests up
 * import this one.
 */
import './hypothesis-tests';
import './distance-tests';
import './text-drift';
