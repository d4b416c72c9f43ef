import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CommandId } from '../../src/host/commandIds';

/** The repo root: above the compiled file in out/test/unit, else above the working directory (scripts/unit.mjs bundles elsewhere). */
function findRepoRoot(): string {
  for (const start of [path.resolve(__dirname, '../../..'), process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'src/host/commandIds.ts'))) return dir;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error('run the tests from the repository');
}
const repoRoot = findRepoRoot();

/** The parts of package.json these tests read; everything is optional so a missing part fails an assertion, not the load. */
interface Manifest {
  readonly main?: string;
  readonly bin?: Readonly<Record<string, string>>;
  readonly engines?: { readonly vscode?: string };
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly activationEvents?: readonly string[];
  readonly capabilities?: { readonly untrustedWorkspaces?: { readonly supported?: unknown; readonly restrictedConfigurations?: readonly string[] } };
  readonly contributes?: {
    readonly commands?: readonly { readonly command: string; readonly title?: string; readonly category?: string; readonly icon?: unknown }[];
    readonly menus?: Readonly<Record<string, readonly { readonly command?: string }[]>>;
    readonly viewsContainers?: Readonly<Record<string, readonly { readonly id: string; readonly title?: string; readonly icon?: string }[]>>;
    readonly views?: Readonly<Record<string, readonly { readonly id: string; readonly name?: string; readonly icon?: string }[]>>;
    readonly viewsWelcome?: readonly { readonly view: string; readonly contents: string }[];
    readonly configuration?: ConfigurationSection | readonly ConfigurationSection[];
    readonly walkthroughs?: readonly {
      readonly id: string;
      readonly steps: readonly {
        readonly id: string;
        readonly description: string;
        readonly media?: { readonly markdown?: string; readonly image?: unknown; readonly svg?: string };
        readonly completionEvents?: readonly string[];
      }[];
    }[];
  };
}

interface ConfigurationSection {
  readonly title?: string;
  readonly properties?: Readonly<Record<string, { readonly description?: string; readonly markdownDescription?: string; readonly default?: unknown; readonly scope?: string }>>;
}

const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;
const contributes = manifest.contributes ?? {};
const contributedCommands = new Set((contributes.commands ?? []).map((c) => c.command));
const contributedViews = new Set(Object.values(contributes.views ?? {}).flatMap((views) => views.map((v) => v.id)));

/** View containers VS Code itself provides, which `contributes.views` may name without contributing them. */
const BUILT_IN_VIEW_CONTAINERS = ['explorer', 'scm', 'debug', 'test', 'remote'];

/** The command ids in `[label](command:id?args)` links of a markdown string. */
function commandLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(command:([^)?\s]+)/g)].map((m) => m[1] ?? '');
}

/** A contributed command, a workbench.* built-in, or the `<view>.focus` VS Code makes for each contributed view. */
function isKnownCommand(id: string): boolean {
  return contributedCommands.has(id) || id.startsWith('workbench.') || (id.endsWith('.focus') && contributedViews.has(id.slice(0, -'.focus'.length)));
}

/** A path in package.json (like `./dist/x.js` or `media/x.svg`) as a clean repo-relative POSIX path. */
function repoRelative(p: string): string {
  return path.posix.normalize(p.replace(/\\/g, '/'));
}

void describe('package.json', () => {
  void describe('commands', () => {
    void it('contributes at least one command', () => {
      assert.ok(contributedCommands.size > 0);
    });

    void it("has category 'TuneLab' and a non-empty title on every command", () => {
      for (const c of contributes.commands ?? []) {
        assert.equal(c.category, 'TuneLab', `${c.command} has category 'TuneLab'`);
        assert.ok(typeof c.title === 'string' && c.title.trim() !== '', `${c.command} has a title`);
      }
    });

    void it('has no duplicate command ids', () => {
      assert.equal(contributedCommands.size, (contributes.commands ?? []).length);
    });

    void it('contributes exactly the commands in src/host/commandIds.ts', () => {
      assert.deepEqual([...contributedCommands].sort(), Object.values<string>(CommandId).sort());
    });

    void it('names only contributed commands in its menus', () => {
      for (const [menu, items] of Object.entries(contributes.menus ?? {})) {
        for (const item of items) {
          if (item.command !== undefined) assert.ok(contributedCommands.has(item.command), `menu ${menu} names ${item.command}`);
        }
      }
    });
  });

  void describe('command links', () => {
    const welcome = (contributes.viewsWelcome ?? []).map((w) => ({ where: `viewsWelcome for ${w.view}`, text: w.contents }));
    const steps = (contributes.walkthroughs ?? []).flatMap((w) =>
      w.steps.map((s) => ({ where: `walkthrough ${w.id}, step ${s.id}`, text: s.description })),
    );

    void it('there are command links in the welcome views and walkthrough steps to check', () => {
      assert.ok(welcome.some((w) => commandLinks(w.text).length > 0), 'a welcome view has a command link');
      assert.ok(steps.some((s) => commandLinks(s.text).length > 0), 'a walkthrough step has a command link');
    });

    void it('point at a contributed command or a workbench.* built-in', () => {
      for (const { where, text } of [...welcome, ...steps]) {
        for (const id of commandLinks(text)) {
          assert.ok(isKnownCommand(id), `${where} links to command '${id}', which is neither contributed nor workbench.*`);
        }
      }
    });

    void it('welcome views are for contributed views', () => {
      for (const w of contributes.viewsWelcome ?? []) assert.ok(contributedViews.has(w.view), `viewsWelcome names view ${w.view}`);
    });

    void it('walkthrough completion events name contributed commands and views', () => {
      for (const w of contributes.walkthroughs ?? []) {
        for (const s of w.steps) {
          for (const event of s.completionEvents ?? []) {
            const [kind, target = ''] = event.split(/:(.*)/s);
            if (kind === 'onCommand') assert.ok(isKnownCommand(target), `step ${s.id}: ${event}`);
            if (kind === 'onView') assert.ok(contributedViews.has(target), `step ${s.id}: ${event}`);
          }
        }
      }
    });
  });

  void describe('activation', () => {
    void it("never activates on '*' (startup for every window)", () => {
      assert.ok(!(manifest.activationEvents ?? []).includes('*'));
      assert.ok(!(manifest.activationEvents ?? []).includes('onStartupFinished'));
    });

    void it('activates when a JSONL file is opened', () => {
      assert.ok((manifest.activationEvents ?? []).includes('onLanguage:jsonl'));
    });
  });

  void describe('views', () => {
    const activityBar = contributes.viewsContainers?.activitybar ?? [];

    void it("has a 'tunelab' activity bar container", () => {
      assert.ok(activityBar.some((c) => c.id === 'tunelab'));
    });

    void it("puts the views of contributes.views.tunelab in the 'tunelab' activity bar container", () => {
      assert.ok(activityBar.some((c) => c.id === 'tunelab'), "views.tunelab names the activity bar container 'tunelab'");
      assert.ok((contributes.views?.tunelab ?? []).length > 0, 'the tunelab container has views');
    });

    void it('contributes views only to its own containers or built-in ones (no misspelled container)', () => {
      const containerIds = new Set([
        ...Object.values(contributes.viewsContainers ?? {}).flatMap((containers) => containers.map((c) => c.id)),
        ...BUILT_IN_VIEW_CONTAINERS,
      ]);
      for (const key of Object.keys(contributes.views ?? {})) assert.ok(containerIds.has(key), `views.${key} is a known container`);
    });

    void it("gives every view an id in the 'tunelab.' namespace and a name", () => {
      for (const v of contributes.views?.tunelab ?? []) {
        assert.match(v.id, /^tunelab\.\w+$/);
        assert.ok(v.name !== undefined && v.name.trim() !== '', `${v.id} has a name`);
      }
    });
  });

  void describe('media', () => {
    const referenced: { readonly where: string; readonly file: string }[] = [];
    for (const c of Object.values(contributes.viewsContainers ?? {}).flat()) {
      if (c.icon !== undefined) referenced.push({ where: `container ${c.id} icon`, file: c.icon });
    }
    for (const v of Object.values(contributes.views ?? {}).flat()) {
      if (v.icon !== undefined && !v.icon.startsWith('$(')) referenced.push({ where: `view ${v.id} icon`, file: v.icon });
    }
    for (const w of contributes.walkthroughs ?? []) {
      for (const s of w.steps) {
        if (s.media?.markdown !== undefined) referenced.push({ where: `walkthrough step ${s.id}`, file: s.media.markdown });
        if (s.media?.svg !== undefined) referenced.push({ where: `walkthrough step ${s.id}`, file: s.media.svg });
      }
    }

    void it('references media files (icons, walkthrough markdown)', () => {
      assert.ok(referenced.some((r) => r.where.startsWith('container')));
      assert.ok(referenced.some((r) => r.where.startsWith('walkthrough')));
    });

    void it('every referenced media file exists, inside media/ (which is packaged)', () => {
      for (const { where, file } of referenced) {
        const rel = repoRelative(file);
        assert.ok(rel.startsWith('media/'), `${where}: ${file} is under media/`);
        assert.ok(existsSync(path.join(repoRoot, rel)), `${where}: ${file} exists`);
      }
    });
  });

  void describe('engines and entry points', () => {
    void it("claims as minimum VS Code the API version it compiles against (@types/vscode)", () => {
      const types = manifest.devDependencies?.['@types/vscode'];
      assert.ok(types !== undefined, '@types/vscode is a devDependency');
      const bare = types.replace(/^[\^~>=<\s]+/, '');
      assert.match(bare, /^\d+\.\d+\.\d+$/, `@types/vscode is a plain version range: ${types}`);
      assert.equal(manifest.engines?.vscode, `^${bare}`);
    });

    void it('installed @types/vscode matches the engine it claims', () => {
      const installed = JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/@types/vscode/package.json'), 'utf8')) as { version: string };
      assert.equal(`^${installed.version}`, manifest.engines?.vscode, 'node_modules/@types/vscode differs from the engine we claim: npm ci, or pin it');
    });

    void it('main points into dist/', () => {
      assert.ok(manifest.main !== undefined);
      assert.ok(repoRelative(manifest.main).startsWith('dist/'), manifest.main);
    });

    void it('bin.tunelab points into dist/', () => {
      const bin = manifest.bin?.tunelab;
      assert.ok(bin !== undefined);
      assert.ok(repoRelative(bin).startsWith('dist/'), bin);
    });
  });

  void describe('configuration', () => {
    const sections = contributes.configuration === undefined ? [] : [contributes.configuration].flat();
    const properties = sections.flatMap((s) => Object.entries(s.properties ?? {}));

    void it('contributes settings', () => {
      assert.ok(properties.length > 0);
    });

    void it("names every setting 'tunelab.*' and gives it a description and a default", () => {
      for (const [name, property] of properties) {
        assert.ok(name.startsWith('tunelab.'), `${name} starts with 'tunelab.'`);
        const description = property.markdownDescription ?? property.description;
        assert.ok(description !== undefined && description.trim() !== '', `${name} has a description`);
        assert.ok('default' in property, `${name} has a default`);
      }
    });

    // https://code.visualstudio.com/api/extension-guides/workspace-trust#configurations-settings:
    // for a setting in restrictedConfigurations VS Code hands an untrusted workspace's extension
    // only the user's value. These are the settings a cloned repository could turn against the
    // user: regular expressions the lint runs (unfilled-placeholder patterns in tunelab.lint.rules)
    // and a path read and edited (tunelab.topics.file). Endpoints are application scoped already.
    void it('in Restricted Mode takes the settings a workspace could abuse from the user only', () => {
      const trust = manifest.capabilities?.untrustedWorkspaces;
      assert.ok(trust, 'capabilities.untrustedWorkspaces is declared');
      assert.equal(trust.supported, 'limited');
      const restricted = trust.restrictedConfigurations ?? [];
      assert.deepEqual([...restricted].sort(), ['tunelab.lint.rules', 'tunelab.topics.file']);
      const scopes = new Map(properties.map(([name, p]) => [name, p.scope]));
      for (const name of restricted) {
        assert.ok(scopes.has(name), `${name} is a contributed setting`);
        assert.notEqual(scopes.get(name), 'application', `${name} can be set by a workspace at all`);
      }
    });
  });
});
