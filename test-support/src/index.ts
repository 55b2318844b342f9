// Shared by every workspace's tests (import from '@nodeapp/test-support').
export { freePort } from './ports.ts';
export { inCI, type Requirement, requirementMessage, requireOrSkip, skipUnless } from './requirements.ts';
