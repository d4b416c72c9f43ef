import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DEPENDENCIES, MOTO, mirrorFromSources } from '../../scripts/moto.mjs';
import { repoFile } from '../harness/repoFile';

void describe('moto install: the Debian mirror sid is fetched from', () => {
  void it('is the URI of the deb822 stanza serving bookworm, not -security, deb-src or a disabled one', () => {
    const sources = [
      'Types: deb-src\nURIs: http://src.example/debian\nSuites: bookworm\nComponents: main\n',
      'Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\nEnabled: no\n',
      'Types: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm bookworm-updates\nComponents: main\n\n' +
        'Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\nComponents: main\n',
    ].join('\n');
    assert.equal(mirrorFromSources([sources]), 'http://mirror.example/debian');
  });

  void it('is read from one-line sources too, options and all, and is undefined when nothing serves bookworm', () => {
    assert.equal(
      mirrorFromSources(['deb http://security.example/debian-security bookworm-security main\ndeb [arch=amd64] http://line.example/debian bookworm main\n']),
      'http://line.example/debian',
    );
    assert.equal(mirrorFromSources(['deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main\n']), undefined);
  });
});

void describe('moto install: the pin and its dependencies agree everywhere', () => {
  void it('.ci/run installs every Debian package moto needs', () => {
    const ci = readFileSync(repoFile('.ci/run'), 'utf8');
    const missing = DEPENDENCIES.map(([pkg]) => pkg).filter((pkg) => !new RegExp(`\\s${pkg}(\\s|;|\\\\)`).test(ci));
    assert.deepEqual(missing, []);
  });

  void it('launcher.py patches the moto version scripts/moto.mjs installs', () => {
    const launcher = readFileSync(repoFile('test/peers/moto/launcher.py'), 'utf8');
    assert.equal(/^MOTO_VERSION = "([^"]+)"$/m.exec(launcher)?.[1], MOTO.version);
    assert.ok(MOTO.debianVersion.startsWith(`${MOTO.version}-`), MOTO.debianVersion);
  });
});
