export * from './chime-join-service';
export * from './join-authorization';
