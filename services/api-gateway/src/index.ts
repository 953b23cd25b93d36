export { apiGateway } from './main.ts';
export { createGateway, type GatewayManagers, type GatewayOptions } from './gateway.ts';
export { apiGatewayConfigSpec, readApiGatewayConfig, type ApiGatewayConfig } from './config.ts';
