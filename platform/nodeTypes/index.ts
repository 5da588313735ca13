import { NodeTypeController, type NodeTypeControllerDeps } from './controller.js';

export { NodeTypeController, type NodeTypeControllerDeps, type ProviderCatalog } from './controller.js';

/** Starts the NodeProvider/NodeType controller; the first full sync has run when this resolves. */
export async function startNodeTypeController(deps: NodeTypeControllerDeps): Promise<NodeTypeController> {
  const controller = new NodeTypeController(deps);
  await controller.start();
  return controller;
}
