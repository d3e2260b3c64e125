/** Every generated docs page, by its path under docs/ (`npm run docs` writes them; test/readme.test.ts compares). */
import { commandsPage } from './commands-page.js';
import { faultsPage, scenariosPage, strategiesPage } from './registry-pages.js';
import { resultsPage } from './results-page.js';

export async function generatedPages(): Promise<Record<string, string>> {
  return {
    'commands.md': await commandsPage(),
    'strategies.md': strategiesPage(),
    'scenarios.md': scenariosPage(),
    'faults.md': faultsPage(),
    'results.md': resultsPage(),
  };
}
