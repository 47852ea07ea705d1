// Loaded with `node --require` into every thread of the worker process, so that the workflow
// thread Temporal's SDK starts (which runs no code of ours outside its sandbox) gives back its
// heap after a burst too (see memory-release.ts). `--import` would reach the main thread only.
import { releaseMemoryWhenIdle } from './memory-release.js';

releaseMemoryWhenIdle();
