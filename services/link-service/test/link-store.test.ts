/** Every LinkStore contract, against memory, PGlite and PostgreSQL. */
import { linkStoreContract } from './support/link-store-contract.ts';
import { linkStores } from './support/link-stores.ts';
import { privateLinksContract } from './support/private-links-contract.ts';

const stores = await linkStores('test_links');

for (const { name, open, skip } of stores) {
  linkStoreContract(name, open, { skip });
  privateLinksContract(name, open, { skip });
}
