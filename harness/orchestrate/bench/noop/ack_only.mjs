// Writer protocol 1 with nothing but Node: acks every record without saving it (bench's protocol part).
import { createInterface } from 'node:readline';

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

createInterface({ input: process.stdin })
  .on('line', (line) => {
    const message = JSON.parse(line);
    if (message.type === 'init') send({ type: 'init_ok', protocol: 1 });
    else if (message.type === 'write') send({ type: 'ok', id: message.id });
    else if (message.type === 'close') {
      send({ type: 'close_ok', acks: [] });
      process.exit(0);
    }
  })
  // stdin ended without `close`: the harness is gone.
  .on('close', () => process.exit(1));
