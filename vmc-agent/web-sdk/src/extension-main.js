// The extension's script in the page's main world (document_start): drop-in mode for pages the
// admin listed. It reaches agentd only through the extension's relay.
import { install } from './install.js';

install({ label: `page ${location.origin}` });
