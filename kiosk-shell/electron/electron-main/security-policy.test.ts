import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  APP_ORIGIN,
  KIOSK_PAGE_URL,
  decideWindowOpen,
  isNavigationAllowed,
  isPermissionGranted,
  isTrustedSender,
} from './security-policy.ts';

test('E-3 navigation inside the app origin is allowed', () => {
  assert.equal(isNavigationAllowed(KIOSK_PAGE_URL), true);
  assert.equal(isNavigationAllowed('app://kiosk/'), true);
  assert.equal(isNavigationAllowed('app://kiosk/kiosk/index.html#idle'), true);
});

test('E-3 navigation to another origin is denied', () => {
  for (const url of [
    'https://example.org/',
    'http://127.0.0.1:8080/kiosk/index.html',
    'app://other/kiosk/index.html',
    'app://kiosk.example.org/',
    'app://kiosk:8080/',
    'app://evil@kiosk/',
    'APP://elsewhere/',
  ]) {
    assert.equal(isNavigationAllowed(url), false, url);
  }
});

test('E-3 javascript:, file://, data: and unparsable URLs are denied', () => {
  for (const url of [
    'javascript:alert(1)',
    'file:///etc/passwd',
    'file://kiosk/index.html',
    'data:text/html,<script>alert(1)</script>',
    'about:blank',
    'blob:app://kiosk/1234',
    'not a url',
    '',
  ]) {
    assert.equal(isNavigationAllowed(url), false, url);
  }
});

test('E-3 window.open and target=_blank are denied', () => {
  assert.deepEqual(decideWindowOpen(), { action: 'deny' });
});

test('E-4 camera and microphone for the app origin are granted', () => {
  for (const origin of [APP_ORIGIN, `${APP_ORIGIN}/`, KIOSK_PAGE_URL]) {
    assert.equal(
      isPermissionGranted({ permission: 'media', origin, mediaTypes: ['audio', 'video'] }),
      true,
      origin,
    );
  }
  assert.equal(isPermissionGranted({ permission: 'media', origin: APP_ORIGIN, mediaTypes: ['audio'] }), true);
  assert.equal(isPermissionGranted({ permission: 'media', origin: APP_ORIGIN, mediaTypes: ['video'] }), true);
});

test('E-4 U-2 the app origin may choose the audio output of its spoken prompts; no other origin may', () => {
  assert.equal(
    isPermissionGranted({ permission: 'speaker-selection', origin: APP_ORIGIN, mediaTypes: undefined }),
    true,
  );
  assert.equal(
    isPermissionGranted({
      permission: 'speaker-selection',
      origin: 'https://example.org',
      mediaTypes: undefined,
    }),
    false,
  );
});

test('E-4 media for another origin, or of an unknown kind, is denied', () => {
  const denied = [
    { permission: 'media', origin: 'https://example.org', mediaTypes: ['audio', 'video'] },
    { permission: 'media', origin: 'file:///', mediaTypes: ['video'] },
    { permission: 'media', origin: undefined, mediaTypes: ['video'] },
    { permission: 'media', origin: APP_ORIGIN, mediaTypes: ['unknown'] },
    { permission: 'media', origin: APP_ORIGIN, mediaTypes: ['video', 'screen'] },
    { permission: 'media', origin: APP_ORIGIN, mediaTypes: [] },
    { permission: 'media', origin: APP_ORIGIN, mediaTypes: undefined },
  ];
  for (const q of denied) assert.equal(isPermissionGranted(q), false, JSON.stringify(q));
});

test('E-4 every other permission is denied, even for the app origin', () => {
  for (const permission of [
    'geolocation',
    'notifications',
    'display-capture',
    'clipboard-read',
    'midi',
    'openExternal',
    'fullscreen',
    'pointerLock',
    'unknown',
  ]) {
    assert.equal(
      isPermissionGranted({ permission, origin: APP_ORIGIN, mediaTypes: ['audio', 'video'] }),
      false,
      permission,
    );
  }
});

test('E-5 only frames of the app are trusted IPC senders', () => {
  assert.equal(isTrustedSender(KIOSK_PAGE_URL), true);
  assert.equal(isTrustedSender('https://example.org/'), false);
  assert.equal(isTrustedSender('about:blank'), false);
  assert.equal(isTrustedSender(undefined), false);
});
