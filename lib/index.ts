export * from './chime-join-service';
export * from './join-authorization';
export { JoinServiceOperation } from './operations';
export * from './meeting-creation';
export * from './meeting-access';
