// `npm run build`'s last step: writes the interpreter's workflow bundle next to the compiled
// worker, so workers started from dist need not run webpack (see PREBUILT_BUNDLE_PATH).
import { writeInterpreterBundle } from './bundle.js';

await writeInterpreterBundle();
